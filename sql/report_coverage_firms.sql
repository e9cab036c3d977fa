-- Quality report: firms per quarter; active firms with employees (tax status active and the
-- larger of the tax-finalisation and declared headcounts above zero), their employees, and how
-- many of them are linked to an employer unit, and to a unit that is paying.
WITH flagged AS (
    SELECT f.quarter,
           f.tax_status,
           CASE WHEN COALESCE(f.pit_employees, 0) >= COALESCE(f.declared_employees, 0)
                THEN COALESCE(f.pit_employees, 0)
                ELSE f.declared_employees END AS employees,
           CASE WHEN EXISTS (SELECT 1 FROM link l
                             WHERE l.quarter = f.quarter AND l.tax_code = f.tax_code
                               AND l.band = 'link')
                THEN 1 ELSE 0 END AS has_unit,
           CASE WHEN EXISTS (SELECT 1 FROM link l
                             JOIN employer_unit u
                               ON u.quarter = l.quarter AND u.unit_code = l.unit_code
                             WHERE l.quarter = f.quarter AND l.tax_code = f.tax_code
                               AND l.band = 'link' AND u.status = 'paying')
                THEN 1 ELSE 0 END AS has_paying_unit
    FROM firm f
    WHERE f.quarter <= :quarter
      AND f.province = COALESCE(:province, f.province)
)
SELECT quarter,
       COUNT(*) AS firms,
       SUM(CASE WHEN tax_status = 'active' THEN 1 ELSE 0 END) AS active_firms,
       SUM(CASE WHEN tax_status = 'active' AND employees > 0 THEN 1 ELSE 0 END) AS employing_firms,
       SUM(CASE WHEN tax_status = 'active' AND employees > 0 THEN employees ELSE 0 END) AS employees,
       SUM(CASE WHEN tax_status = 'active' AND employees > 0 THEN has_unit ELSE 0 END) AS employing_linked,
       SUM(CASE WHEN tax_status = 'active' AND employees > 0 THEN has_paying_unit ELSE 0 END) AS employing_paying
FROM flagged
GROUP BY quarter
ORDER BY quarter

-- Quality report: tax-code defects in the employer roll per quarter. A unit's code is blank,
-- invalid (written but not a valid MST), or valid; a valid code may be unknown to the tax and
-- registry feeds, or differ from the firm the unit is linked to (the link found another firm).
-- A blank or invalid code that linking still resolved counts as recovered.
SELECT u.quarter,
       COUNT(*) AS units,
       SUM(CASE WHEN u.tax_code_raw IS NULL OR TRIM(u.tax_code_raw) = '' THEN 1 ELSE 0 END) AS blank,
       SUM(CASE WHEN u.tax_code IS NULL AND TRIM(u.tax_code_raw) <> '' THEN 1 ELSE 0 END) AS invalid,
       SUM(CASE WHEN u.tax_code IS NOT NULL THEN 1 ELSE 0 END) AS valid,
       SUM(CASE WHEN u.tax_code IS NOT NULL
                 AND NOT EXISTS (SELECT 1 FROM firm f
                                 WHERE f.quarter = u.quarter
                                   AND f.root = SUBSTR(u.tax_code, 1, 10))
                THEN 1 ELSE 0 END) AS unknown_to_feeds,
       SUM(CASE WHEN u.tax_code IS NOT NULL AND l.band = 'link'
                 AND l.tax_code <> u.tax_code AND l.tax_code <> SUBSTR(u.tax_code, 1, 10)
                THEN 1 ELSE 0 END) AS mismatched,
       SUM(CASE WHEN u.tax_code IS NOT NULL AND l.band = 'link'
                 AND l.tax_code <> u.tax_code AND l.tax_code = SUBSTR(u.tax_code, 1, 10)
                THEN 1 ELSE 0 END) AS branch_of_linked,
       SUM(CASE WHEN u.tax_code IS NULL AND l.band = 'link' THEN 1 ELSE 0 END) AS recovered_by_link
FROM employer_unit u
LEFT JOIN link l ON l.quarter = u.quarter AND l.unit_code = u.unit_code
WHERE u.quarter <= :quarter
  AND u.province = COALESCE(:province, u.province)
GROUP BY u.quarter
ORDER BY u.quarter

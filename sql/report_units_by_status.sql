-- Quality report: employer units per quarter and status (paying, paused, closing, closed), with
-- their insured employees.
SELECT quarter,
       COALESCE(status, '') AS status,
       COUNT(*) AS units,
       COALESCE(SUM(insured_employees), 0) AS insured_employees
FROM employer_unit
WHERE quarter <= :quarter
  AND province = COALESCE(:province, province)
GROUP BY quarter, status
ORDER BY quarter, status

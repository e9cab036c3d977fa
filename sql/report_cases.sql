-- Quality report: cases per quarter and status (new, persisting, reopened, resolved).
SELECT quarter, status, COUNT(*) AS cases
FROM case_status
WHERE quarter <= :quarter
  AND province = COALESCE(:province, province)
GROUP BY quarter, status
ORDER BY quarter, status

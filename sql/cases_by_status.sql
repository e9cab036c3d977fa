-- Cases of a quarter by status (new, persisting, reopened, resolved).
SELECT status, COUNT(*) AS cases
FROM case_status
WHERE quarter = :quarter
GROUP BY status
ORDER BY status

-- Quality report: the quarter's employer units with their address and link, for the figures
-- by commune (the commune is parsed from the address in Python).
SELECT u.province,
       u.unit_code,
       u.address,
       u.status,
       l.method,
       l.band
FROM employer_unit u
LEFT JOIN link l ON l.quarter = u.quarter AND l.unit_code = u.unit_code
WHERE u.quarter = :quarter
  AND u.province = COALESCE(:province, u.province)
ORDER BY u.province, u.unit_code

-- Quality report: employer units per quarter, province and link method and band; a unit with
-- no link row has method and band ''. Bands: 'link' (linked) and 'review' (to be checked).
SELECT u.quarter,
       u.province,
       COALESCE(l.method, '') AS method,
       COALESCE(l.band, '') AS band,
       COUNT(*) AS units
FROM employer_unit u
LEFT JOIN link l ON l.quarter = u.quarter AND l.unit_code = u.unit_code
WHERE u.quarter <= :quarter
  AND u.province = COALESCE(:province, u.province)
GROUP BY u.quarter, u.province, l.method, l.band
ORDER BY u.quarter, u.province, method, band

-- Quality report: quarantined rows of the quarter per feed and list of reasons (joined with
-- ' | '; the report splits and counts them, which SQL cannot do portably).
SELECT feed, reasons, COUNT(*) AS quarantined_rows
FROM quarantine
WHERE quarter = :quarter
  AND province = COALESCE(:province, province)
GROUP BY feed, reasons
ORDER BY feed, reasons

-- Quality report: files and rows per quarter and feed (received, accepted, quarantined),
-- for the report's quarter and the earlier ones (its trend). a NULL province means every province.
SELECT quarter,
       feed,
       COUNT(*) AS files,
       SUM(CASE WHEN status = 'failed' THEN 1 ELSE 0 END) AS failed_files,
       COALESCE(SUM(rows_read), 0) AS rows_read,
       COALESCE(SUM(rows_accepted), 0) AS rows_accepted,
       COALESCE(SUM(rows_quarantined), 0) AS rows_quarantined
FROM feed_file
WHERE quarter <= :quarter
  AND province = COALESCE(:province, province)
  AND status <> 'replaced'
GROUP BY quarter, feed
ORDER BY quarter, feed

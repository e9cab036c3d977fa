-- Files and rows of a quarter per feed: received, accepted, quarantined.
SELECT feed,
       COUNT(*) AS files,
       SUM(CASE WHEN status = 'failed' THEN 1 ELSE 0 END) AS failed_files,
       COALESCE(SUM(rows_read), 0) AS rows_read,
       COALESCE(SUM(rows_accepted), 0) AS rows_accepted,
       COALESCE(SUM(rows_quarantined), 0) AS rows_quarantined
FROM feed_file
WHERE quarter = :quarter AND status <> 'replaced'
GROUP BY feed
ORDER BY feed

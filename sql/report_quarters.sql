-- Quality report: the quarters in the warehouse up to the report's quarter (its trend axis).
-- A NULL province means every province.
SELECT quarter FROM feed_file
WHERE quarter <= :quarter AND province = COALESCE(:province, province)
UNION
SELECT quarter FROM firm
WHERE quarter <= :quarter AND province = COALESCE(:province, province)
UNION
SELECT quarter FROM employer_unit
WHERE quarter <= :quarter AND province = COALESCE(:province, province)
ORDER BY quarter

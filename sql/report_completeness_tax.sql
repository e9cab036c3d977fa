-- Quality report: completeness of the tax feed's key fields, accepted (staged) rows per quarter.
SELECT quarter,
       COUNT(*) AS rows_staged,
       SUM(CASE WHEN tax_code IS NOT NULL AND TRIM(tax_code) <> '' THEN 1 ELSE 0 END) AS tax_code,
       SUM(CASE WHEN name IS NOT NULL AND TRIM(name) <> '' THEN 1 ELSE 0 END) AS name,
       SUM(CASE WHEN address IS NOT NULL AND TRIM(address) <> '' THEN 1 ELSE 0 END) AS address,
       SUM(CASE WHEN status IS NOT NULL AND TRIM(status) <> '' THEN 1 ELSE 0 END) AS status,
       SUM(CASE WHEN registered_on IS NOT NULL THEN 1 ELSE 0 END) AS registered_on,
       SUM(CASE WHEN pit_employees IS NOT NULL THEN 1 ELSE 0 END) AS pit_employees,
       SUM(CASE WHEN pit_wage_bill IS NOT NULL THEN 1 ELSE 0 END) AS pit_wage_bill,
       SUM(CASE WHEN industry IS NOT NULL AND TRIM(industry) <> '' THEN 1 ELSE 0 END) AS industry
FROM staged_tax
WHERE quarter <= :quarter
  AND province = COALESCE(:province, province)
GROUP BY quarter
ORDER BY quarter

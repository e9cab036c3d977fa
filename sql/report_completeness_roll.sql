-- Quality report: completeness of the employer roll's key fields, accepted rows per quarter.
-- A non-blank tax code may still be invalid: report_roll_tax_codes counts those.
SELECT quarter,
       COUNT(*) AS rows_staged,
       SUM(CASE WHEN tax_code IS NOT NULL AND TRIM(tax_code) <> '' THEN 1 ELSE 0 END) AS tax_code,
       SUM(CASE WHEN name IS NOT NULL AND TRIM(name) <> '' THEN 1 ELSE 0 END) AS name,
       SUM(CASE WHEN address IS NOT NULL AND TRIM(address) <> '' THEN 1 ELSE 0 END) AS address,
       SUM(CASE WHEN status IS NOT NULL AND TRIM(status) <> '' THEN 1 ELSE 0 END) AS status,
       SUM(CASE WHEN joined_on IS NOT NULL THEN 1 ELSE 0 END) AS joined_on,
       SUM(CASE WHEN insured_employees IS NOT NULL THEN 1 ELSE 0 END) AS insured_employees,
       SUM(CASE WHEN wage_bill IS NOT NULL THEN 1 ELSE 0 END) AS wage_bill,
       SUM(CASE WHEN office IS NOT NULL AND TRIM(office) <> '' THEN 1 ELSE 0 END) AS office
FROM staged_roll
WHERE quarter <= :quarter
  AND province = COALESCE(:province, province)
GROUP BY quarter
ORDER BY quarter

-- Quality report: completeness of the registry feed's key fields, accepted rows per quarter.
SELECT quarter,
       COUNT(*) AS rows_staged,
       SUM(CASE WHEN enterprise_code IS NOT NULL AND TRIM(enterprise_code) <> '' THEN 1 ELSE 0 END) AS tax_code,
       SUM(CASE WHEN name IS NOT NULL AND TRIM(name) <> '' THEN 1 ELSE 0 END) AS name,
       SUM(CASE WHEN address IS NOT NULL AND TRIM(address) <> '' THEN 1 ELSE 0 END) AS address,
       SUM(CASE WHEN status IS NOT NULL AND TRIM(status) <> '' THEN 1 ELSE 0 END) AS status,
       SUM(CASE WHEN legal_form IS NOT NULL AND TRIM(legal_form) <> '' THEN 1 ELSE 0 END) AS legal_form,
       SUM(CASE WHEN founded_on IS NOT NULL THEN 1 ELSE 0 END) AS founded_on,
       SUM(CASE WHEN declared_employees IS NOT NULL THEN 1 ELSE 0 END) AS declared_employees,
       SUM(CASE WHEN industry IS NOT NULL AND TRIM(industry) <> '' THEN 1 ELSE 0 END) AS industry
FROM staged_registry
WHERE quarter <= :quarter
  AND province = COALESCE(:province, province)
GROUP BY quarter
ORDER BY quarter

-- Quality report: how complete each feed's key fields are in its accepted (staged) rows, per
-- feed and quarter. The three feeds share one shape: eight slots, each the name of a field
-- (field_N) and the rows where it is written (filled_N: not NULL and, for text, not blank), in
-- the order the report lists them. The registry's enterprise code stands as its tax code.
-- A written tax code may still be invalid: report_roll_tax_codes counts those.
SELECT 'tax' AS feed, quarter, COUNT(*) AS rows_staged,
       'tax_code' AS field_1, COUNT(NULLIF(TRIM(tax_code), '')) AS filled_1,
       'name' AS field_2, COUNT(NULLIF(TRIM(name), '')) AS filled_2,
       'address' AS field_3, COUNT(NULLIF(TRIM(address), '')) AS filled_3,
       'status' AS field_4, COUNT(NULLIF(TRIM(status), '')) AS filled_4,
       'registered_on' AS field_5, COUNT(registered_on) AS filled_5,
       'pit_employees' AS field_6, COUNT(pit_employees) AS filled_6,
       'pit_wage_bill' AS field_7, COUNT(pit_wage_bill) AS filled_7,
       'industry' AS field_8, COUNT(NULLIF(TRIM(industry), '')) AS filled_8
FROM staged_tax
WHERE quarter <= :quarter
  AND province = COALESCE(:province, province)
GROUP BY quarter
UNION ALL
SELECT 'registry' AS feed, quarter, COUNT(*) AS rows_staged,
       'tax_code', COUNT(NULLIF(TRIM(enterprise_code), '')),
       'name', COUNT(NULLIF(TRIM(name), '')),
       'address', COUNT(NULLIF(TRIM(address), '')),
       'status', COUNT(NULLIF(TRIM(status), '')),
       'legal_form', COUNT(NULLIF(TRIM(legal_form), '')),
       'founded_on', COUNT(founded_on),
       'declared_employees', COUNT(declared_employees),
       'industry', COUNT(NULLIF(TRIM(industry), ''))
FROM staged_registry
WHERE quarter <= :quarter
  AND province = COALESCE(:province, province)
GROUP BY quarter
UNION ALL
SELECT 'roll' AS feed, quarter, COUNT(*) AS rows_staged,
       'tax_code', COUNT(NULLIF(TRIM(tax_code), '')),
       'name', COUNT(NULLIF(TRIM(name), '')),
       'address', COUNT(NULLIF(TRIM(address), '')),
       'status', COUNT(NULLIF(TRIM(status), '')),
       'joined_on', COUNT(joined_on),
       'insured_employees', COUNT(insured_employees),
       'wage_bill', COUNT(wage_bill),
       'office', COUNT(NULLIF(TRIM(office), ''))
FROM staged_roll
WHERE quarter <= :quarter
  AND province = COALESCE(:province, province)
GROUP BY quarter
ORDER BY feed, quarter

-- Firms and employer units of a quarter.
SELECT (SELECT COUNT(*) FROM firm WHERE quarter = :quarter) AS firms,
       (SELECT COUNT(*) FROM employer_unit WHERE quarter = :quarter) AS employer_units

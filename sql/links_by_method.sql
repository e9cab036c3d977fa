-- Links of a quarter by method (exact, exact_parent, fuzzy, confirmed) and band.
SELECT method, band, COUNT(*) AS links
FROM link
WHERE quarter = :quarter
GROUP BY method, band
ORDER BY method, band

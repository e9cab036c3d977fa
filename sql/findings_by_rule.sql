-- Findings of a quarter by rule, with the money at stake.
SELECT rule, COUNT(*) AS findings, SUM(money_at_stake) AS money_at_stake
FROM finding
WHERE quarter = :quarter
GROUP BY rule
ORDER BY rule

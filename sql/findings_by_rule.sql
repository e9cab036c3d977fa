-- Findings of a quarter by rule, with the money at stake, and the money counted once per firm
-- (rules/money.py counted; a row written before it counts its money at stake).
SELECT rule, COUNT(*) AS findings, SUM(money_at_stake) AS money_at_stake,
       SUM(COALESCE(money_counted, money_at_stake)) AS money_counted
FROM finding
WHERE quarter = :quarter
GROUP BY rule
ORDER BY rule

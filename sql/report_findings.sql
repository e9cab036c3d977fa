-- Quality report: findings per quarter and rule, with the money at stake.
SELECT quarter,
       rule,
       COUNT(*) AS findings,
       COALESCE(SUM(money_at_stake), 0) AS money_at_stake
FROM finding
WHERE quarter <= :quarter
  AND province = COALESCE(:province, province)
GROUP BY quarter, rule
ORDER BY quarter, rule

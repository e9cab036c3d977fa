-- Quality report: findings per quarter and rule, with the money at stake and the money counted
-- once per firm (rules/money.py counted; a row written before it counts its money at stake).
-- Severity 0 marks a data fix for the agency (e.g. a unit's tax code to correct), not an
-- inspection lead.
SELECT quarter,
       rule,
       MAX(severity) AS severity,
       COUNT(*) AS findings,
       COALESCE(SUM(money_at_stake), 0) AS money_at_stake,
       COALESCE(SUM(COALESCE(money_counted, money_at_stake)), 0) AS money_counted
FROM finding
WHERE quarter <= :quarter
  AND province = COALESCE(:province, province)
GROUP BY quarter, rule
ORDER BY quarter, rule

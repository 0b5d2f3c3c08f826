DROP TABLE IF EXISTS key_spend;
ALTER TABLE credentials
    DROP COLUMN max_budget,
    DROP COLUMN soft_budget,
    DROP COLUMN budget_duration;
ALTER TABLE usage_log DROP COLUMN cost_usd;
DROP TABLE IF EXISTS prices;

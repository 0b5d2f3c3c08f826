ALTER TABLE providers
    DROP COLUMN health_check_interval,
    DROP COLUMN fail_timeout,
    DROP COLUMN max_fails;

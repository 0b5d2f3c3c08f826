ALTER TABLE providers
    DROP COLUMN responses;

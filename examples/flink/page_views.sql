-- Page views per page per 10-minute event-time window: the one query of the Flink chapter.
-- page_views.py runs it on a local file of clicks; production.py runs it from Kafka to MySQL.
-- --8<-- [start:query]
INSERT INTO page_views
SELECT
    page,
    window_start,
    window_end,
    COUNT(*) AS view_count
FROM TABLE(
    TUMBLE(TABLE user_clicks, DESCRIPTOR(click_time), INTERVAL '10' MINUTES)
)
GROUP BY page, window_start, window_end
-- --8<-- [end:query]

-- Which rules reject the most raw rows, per table, and the newest example of each:
-- the first query to run when a quarantine-rate test warns. Customer PII in the examples shows
-- as <pii masked> (dq_row_content).
with

rejected as (
    select * from {{ ref('stg_quarantine__rejected_rows') }}
),

ranked as (
    select
        source_table,
        rule,
        record_key,
        row_content,
        count(*) over (partition by source_table, rule) as rejected_rows,
        row_number() over (partition by source_table, rule order by _loaded_at desc) as recency_rank
    from rejected
)

select
    source_table,
    rule,
    rejected_rows,
    record_key as newest_record_key,
    row_content as newest_row_content
from ranked
where recency_rank = 1
order by rejected_rows desc, source_table asc, rule asc

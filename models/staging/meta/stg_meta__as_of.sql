-- The build's "now", derived from the data: the latest _loaded_at across the raw tables
-- (as_of_timestamp) and its date (as_of_date, the last day the data covers). One row.
with

loaded as (
    {%- for raw in raw_tables() %}
        {% if not loop.first %}union all{% endif %}
        select max(_loaded_at) as max_loaded_at from {{ ref(raw.base) }}
    {%- endfor %}
)

select
    max(max_loaded_at) as as_of_timestamp,
    cast(max(max_loaded_at) as date) as as_of_date
from loaded

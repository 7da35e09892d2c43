-- One row per check the data-quality scorecard makes (a check family on a raw table, and on
-- each of its nullable columns for completeness) with the thresholds of the policy row that
-- applies: the table's own row before a '*' row, then the column's own row before a '*' row.
{%- set checks = [] %}
{%- for raw in raw_tables() %}
    {%- for family in ['quarantine_rate', 'event_lag_hours', 'load_age_hours', 'mismatch_rate'] %}
        {%- do checks.append((family, raw.table, '*')) %}
    {%- endfor %}
    {%- for column in source_contract(raw.source, raw.table).columns if not column.meta.get('required') %}
        {%- do checks.append(('missing_rate', raw.table, column.name)) %}
    {%- endfor %}
{%- endfor %}
with

checks as (
    {%- for family, table_name, column_name in checks %}
        {% if not loop.first %}union all{% endif %}
        select
            cast('{{ family }}' as {{ dbt.type_string() }}) as check_family,
            cast('{{ table_name }}' as {{ dbt.type_string() }}) as source_table,
            cast('{{ column_name }}' as {{ dbt.type_string() }}) as column_name
    {%- endfor %}
),

policy as (
    -- the policy row that applies (macro applying_policy, shared with the build's tests)
    {{ applying_policy('checks', 'source_table') }}
)

select
    check_family,
    source_table,
    column_name,
    warn_above,
    error_above
from policy

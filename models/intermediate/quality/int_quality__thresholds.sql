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

policy as (
    select * from {{ ref('data_quality_policy') }}
),

checks as (
    {%- for family, table_name, column_name in checks %}
        {% if not loop.first %}union all{% endif %}
        select
            cast('{{ family }}' as {{ dbt.type_string() }}) as check_family,
            cast('{{ table_name }}' as {{ dbt.type_string() }}) as source_table,
            cast('{{ column_name }}' as {{ dbt.type_string() }}) as column_name
    {%- endfor %}
),

matched as (
    select
        checks.check_family,
        checks.source_table,
        checks.column_name,
        policy.warn_above,
        policy.error_above,
        row_number() over (
            partition by checks.check_family, checks.source_table, checks.column_name
            order by
                case when policy.table_name = '*' then 1 else 0 end,
                case when policy.column_name = '*' then 1 else 0 end
        ) as specificity_rank
    from checks
    left join policy
        on checks.check_family = policy.check_family
            and policy.table_name in (checks.source_table, '*')
            and policy.column_name in (checks.column_name, '*')
)

select
    check_family,
    source_table,
    column_name,
    warn_above,
    error_above
from matched
where specificity_rank = 1

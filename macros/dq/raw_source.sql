{#- The rows of a raw table this build reads: every row, or on a replay (var as_of_timestamp
    set) the rows loaded by then. A snapshot table (meta `snapshot`: a full copy delivered
    with every extract, e.g. the CSM and agent rosters) is read whole: no earlier copy exists
    to replay. The base models, the known accounts, the row accounting and
    reconciles_with_raw all read raw tables through it, so they count the same rows. -#}
{% macro raw_source(source_name, table_name) -%}
select * from {{ source(source_name, table_name) }}
where {{ "1 = 1" if source_contract(source_name, table_name).meta.get('snapshot') else loaded_by_as_of() }}
{%- endmacro %}

{#- true for the rows loaded by the build's as-of time (every row unless replaying). -#}
{% macro loaded_by_as_of() -%}
{{ "_loaded_at <= " ~ as_of_timestamp() if var('as_of_timestamp', none) else "1 = 1" }}
{%- endmacro %}

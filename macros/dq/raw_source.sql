{#- The rows of a raw table this build reads: every row, or on a replay (var as_of_timestamp
    set) the rows loaded by then. The base models, the known accounts, the row accounting and
    reconciles_with_raw all read raw tables through it, so they count the same rows. -#}
{% macro raw_source(source_name, table_name) -%}
select * from {{ source(source_name, table_name) }}
where {{ loaded_by_as_of() }}
{%- endmacro %}

{#- true for the rows loaded by the build's as-of time (every row unless replaying). -#}
{% macro loaded_by_as_of() -%}
{{ "_loaded_at <= " ~ as_of_timestamp() if var('as_of_timestamp', none) else "1 = 1" }}
{%- endmacro %}

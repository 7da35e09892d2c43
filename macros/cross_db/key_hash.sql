{#- A 64-bit integer hash of a string key (null for a null key), stored beside the key so that
    an incremental run finds the stored rows of a batch's keys by an integer: at `large`,
    matching the new day's event_ids against the 54.7M stored ones read and decompressed every
    stored string (about 2 s in the daily run, twice: the lookup and dbt's delete). Different
    keys may share a hash; the lookups then read the rows of each, which classify as before. -#}
{% macro key_hash(column) -%}
case when {{ column }} is not null then {{ adapter.dispatch('key_hash', 'customer_success')(column) }} end
{%- endmacro %}

{#- PostgreSQL's own 64-bit text hash (11 and later) -#}
{% macro default__key_hash(column) -%}
hashtextextended({{ column }}, 0)
{%- endmacro %}

{#- DuckDB's hash is an unsigned 64-bit integer: shifted into the signed range -#}
{% macro duckdb__key_hash(column) -%}
cast(hash({{ column }}) >> 1 as {{ dbt.type_bigint() }})
{%- endmacro %}

{% macro spark__key_hash(column) -%}
xxhash64({{ column }})
{%- endmacro %}

{#- The UTC instant (a timestamp without zone) of a local wall-clock time in an IANA time zone
    (both may be columns): the support schedules' local opening hours become UTC intervals day
    by day, so a daylight-saving change moves them. DuckDB uses its built-in icu extension,
    PostgreSQL AT TIME ZONE, Spark to_utc_timestamp. A wall-clock time that a daylight-saving
    change skips or repeats has no single answer and the engines pick differently: the test
    assert_support_schedule_hours_avoid_daylight_saving_changes keeps schedules off them. -#}
{% macro local_to_utc(local_timestamp, time_zone) -%}
{{ return(adapter.dispatch('local_to_utc', 'customer_success')(local_timestamp, time_zone)) }}
{%- endmacro %}

{% macro default__local_to_utc(local_timestamp, time_zone) -%}
(({{ local_timestamp }}) at time zone {{ time_zone }}) at time zone 'UTC'
{%- endmacro %}

{% macro duckdb__local_to_utc(local_timestamp, time_zone) -%}
timezone('UTC', timezone({{ time_zone }}, {{ local_timestamp }}))
{%- endmacro %}

{% macro spark__local_to_utc(local_timestamp, time_zone) -%}
to_utc_timestamp({{ local_timestamp }}, {{ time_zone }})
{%- endmacro %}

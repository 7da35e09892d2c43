{#- The first activity date an incremental usage model (re)builds on an incremental run: the
    latest date the model already holds (never later than the as-of date) minus the var
    usage_lookback_days, so that events loaded up to that many days after their day are picked
    up. Dates older than the window are frozen: a late event older than the window needs a full
    refresh (docs/decisions.md). An empty model is rebuilt from the start. Only valid inside
    an `is_incremental()` branch: it reads {{ this }}. -#}
{% macro usage_reprocess_from(date_column='activity_date') -%}
(
    select
        case
            when max({{ date_column }}) is null then cast('1900-01-01' as date)
            when max({{ date_column }}) > {{ as_of_date() }}
                then {{ add_days(as_of_date(), -1 * var('usage_lookback_days')) }}
            else {{ add_days('max(' ~ date_column ~ ')', -1 * var('usage_lookback_days')) }}
        end
    from {{ this }}
)
{%- endmacro %}

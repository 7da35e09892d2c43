{#- Calendar months from first_month (a SQL expression giving a month's first day) to the
    as-of month: month, month_end, measured_on (the month end, or the as-of date for the
    running month) and is_complete_month. The one month spine of the monthly models. -#}
{% macro month_spine(first_month) -%}
select
    month,
    {{ month_end('month') }} as month_end,
    case
        when {{ month_end('month') }} <= as_of_date then {{ month_end('month') }}
        else as_of_date
    end as measured_on,
    {{ month_end('month') }} <= as_of_date as is_complete_month
from (
    select
        {{ add_months('bounds.first_month', 'numbers.n') }} as month,
        bounds.last_month,
        bounds.as_of_date
    from (
        select
            {{ first_month }} as first_month,
            {{ month_start(as_of_date()) }} as last_month,
            {{ as_of_date() }} as as_of_date
    ) as bounds
    cross join ({{ integers(3) }}) as numbers
) as months
where month <= last_month
{%- endmacro %}

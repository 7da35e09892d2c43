{#- Classifies every row of a validated raw table (its contract columns plus dq_rule) as
    quarantined (breaks a rule), duplicate (a repeat of an identical row, or a re-delivered
    key for at-least-once tables), superseded (an older CDC version of a key) or kept.
    Keys, version order and delivery semantics come from the table's contract meta.
    Copies are numbered valid rows first, then by delivery: the first valid delivery of a
    re-delivered key is kept even when an earlier delivery was invalid (that one is
    quarantined). A row without a key is a copy only of an identical row.
    Returns a select: the contract columns cast to their contract types (contract_value),
    dq_rule, dq_copy_number (1 for the first copy), dq_status, dq_row_content (the
    quarantined row as text, so the quarantine shows what was rejected; the contract's pii
    columns masked) and dq_run (dq_run_number: which build classified the row). -#}
{% macro dq_classify(relation, source_name, table_name) -%}
    {%- set contract = source_contract(source_name, table_name) -%}
    {%- set names = contract.columns | map(attribute='name') | list -%}
    {%- set pii = [] -%}
    {%- for column in contract.columns if column.meta.get('pii') -%}
        {%- do pii.append(column.name) -%}
    {%- endfor -%}
    {%- set key = contract.meta.get('key', []) -%}
    {%- set latest_by = contract.meta.get('latest_by', []) -%}
    {%- if contract.meta.get('redelivered') -%}
        {%- set keyless = key | join(' is null or ') ~ ' is null' -%}
        {%- set copy_partition = key + ['case when ' ~ keyless ~ ' then ' ~ dq_row_content(names) ~ ' end'] -%}
    {%- else -%}
        {%- set copy_partition = names -%}
    {%- endif -%}
    {%- set newest_first = latest_by | join(' desc, ') ~ ' desc' -%}
    {%- set oldest_first = latest_by | join(', ') -%}
    select
        {%- for column in contract.columns %}
        {{ contract_value(column) }} as {{ column.name }},
        {%- endfor %}
        dq_rule,
        dq_copy_number,
        case
            when dq_rule is not null then 'quarantined'
            when dq_copy_number > 1 then 'duplicate'
            when dq_version_number > 1 then 'superseded'
            else 'kept'
        end as dq_status,
        case when dq_rule is not null then {{ dq_row_content(names, masked=pii) }} end as dq_row_content,
        cast({{ dq_run_number() }} as {{ dbt.type_bigint() }}) as dq_run
    from (
        select
            copies.*,
            {%- if contract.meta.get('redelivered') %}
            {#- copies are counted per key: the first copy is the only version (one sort
                fewer over the event-scale table) #}
            1 as dq_version_number
            {%- else %}
            row_number() over (
                partition by {{ key | join(', ') }}, dq_rule is null, dq_copy_number = 1
                order by {{ newest_first }}
            ) as dq_version_number
            {%- endif %}
        from (
            select
                {{ relation }}.*,
                row_number() over (
                    partition by {{ copy_partition | join(', ') }}
                    order by case when dq_rule is null then 0 else 1 end, {{ oldest_first }}
                ) as dq_copy_number
            from {{ relation }}
        ) as copies
    ) as versions
{%- endmacro %}

{#- Every account_id that exists in any crm_accounts row (any version, deleted or not):
    rows of other tables pointing elsewhere are orphans and go to the quarantine. A replay
    knows the accounts loaded by its as-of time. -#}
{% macro known_account_ids() -%}
select distinct crm_accounts.account_id as known_account_id
from ({{ raw_source('crm', 'crm_accounts') }}) as crm_accounts
where crm_accounts.account_id is not null
{%- endmacro %}

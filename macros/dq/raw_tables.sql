{#- Every raw table of the contract with the base model that classifies its rows.
    The quarantine, the row accounting and the as-of time loop over this list. -#}
{% macro raw_tables() -%}
{{ return([
    {'source': 'crm', 'table': 'crm_accounts', 'base': 'base_crm__accounts', 'key': 'account_id'},
    {'source': 'crm', 'table': 'crm_csms', 'base': 'base_crm__csms', 'key': 'csm_id'},
    {'source': 'crm', 'table': 'crm_opportunities', 'base': 'base_crm__opportunities', 'key': 'opportunity_id'},
    {'source': 'crm', 'table': 'crm_activities', 'base': 'base_crm__activities', 'key': 'activity_id'},
    {'source': 'billing', 'table': 'billing_subscription_periods', 'base': 'base_billing__subscription_periods', 'key': 'period_id'},
    {'source': 'billing', 'table': 'billing_invoices', 'base': 'base_billing__invoices', 'key': 'invoice_id'},
    {'source': 'finance', 'table': 'finance_acquisition_costs', 'base': 'base_finance__acquisition_costs', 'key': 'account_id'},
    {'source': 'product', 'table': 'product_users', 'base': 'base_product__users', 'key': 'user_id'},
    {'source': 'product', 'table': 'product_events', 'base': 'base_product__events', 'key': 'event_id'},
    {'source': 'support', 'table': 'support_agents', 'base': 'base_support__agents', 'key': 'agent_id'},
    {'source': 'support', 'table': 'support_tickets', 'base': 'base_support__tickets', 'key': 'ticket_id'},
    {'source': 'support', 'table': 'support_kb_sessions', 'base': 'base_support__kb_sessions', 'key': 'kb_session_id'},
    {'source': 'survey', 'table': 'survey_responses', 'base': 'base_survey__responses', 'key': 'response_id'},
    {'source': 'onboarding', 'table': 'onboarding_milestones', 'base': 'base_onboarding__milestones', 'key': dbt.concat(['account_id', "'/'", 'milestone'])},
]) }}
{%- endmacro %}

"""webhook-svc: registry events delivered to subscribed URLs as signed Standard Webhooks."""

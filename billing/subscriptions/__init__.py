"""Integration subscriptions (SPEC §4): licence price lists, subscriptions billed in advance per period,
and the subscription lines of the invoice run."""

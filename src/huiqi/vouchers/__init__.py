"""Innovation vouchers (创新券, issue 13): providers recognised with their service items and
prices, yearly quotas per enterprise, redemption against a service contract, delivery
confirmed, quarterly claims, settlement, the providers' bonus and expiry — every movement
of money a balanced transaction of a small double-entry ledger (:mod:`.ledger`)."""

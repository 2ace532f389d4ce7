"""What every workflow area shares (programmes, vouchers, service cases, push — each its own
package above this one):

- :mod:`.events` — domain events, written in the same transaction as the state change they
  describe (an outbox: ``domain_events``), read later by notifications and by anything that
  computes deadlines from the history;
- :mod:`.machine` — a workflow's states and allowed transitions declared once, as data
  (which role may do which transition), and the one function that performs a transition:
  checked, the state changed, audited with its reason, the event emitted, one transaction;
- :mod:`.calendar` — China's working days (public holidays and 调休 make-up working days)
  for "N working days" deadlines, refusing to guess a year nobody has declared.
"""

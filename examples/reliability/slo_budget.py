"""SLO arithmetic: the downtime each SLO allows in 30 days, and what each
burn-rate alert means."""

WINDOW_H = 30 * 24  # a rolling 30-day window, in hours


def downtime(slo: float) -> str:
    minutes = (1 - slo) * WINDOW_H * 60
    hours, rest = divmod(minutes, 60)
    text = f"{minutes:5.1f} min"
    if hours:
        text += f" ({hours:.0f} h {rest:02.0f} min)"
    return text


print("SLO     downtime per 30 days")
for slo in (0.99, 0.995, 0.999, 0.9995, 0.9999):
    print(f"{f'{slo * 100:g}%':<7} {downtime(slo)}")

# Google's SRE workbook: page on 14.4 and 6, ticket on 3 or 1. An alert fires
# when its long window and its short one (1/12 of it) both burn faster.
ALERTS = [  # (burn rate, long window in hours, the two windows)
    (14.4, 1, "1 h & 5 min"),
    (6, 6, "6 h & 30 min"),
    (3, 24, "1 d & 2 h"),
    (1, 72, "3 d & 6 h"),
]
print("\nburn  windows       spends  empties")
for burn, long_h, windows in ALERTS:
    spent = burn * long_h / WINDOW_H  # budget share the long window spends
    days = WINDOW_H / burn / 24  # until the whole budget is gone
    print(f"{burn:<4g}  {windows:<12} {spent:6.0%}  in {days:.1f} d")

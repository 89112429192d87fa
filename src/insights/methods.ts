import { FLEET_TARGET, LEFT_CENSOR_DAYS } from './cohorts.js';
import { LEAD_RULES } from './leads.js';
import type { BillingBasis, PricingTable } from './pricing.js';
import { RATIO_MONTHS } from './projection.js';

/** How one insight was made: written into insights.json and the report. */
export interface Method {
  approach: string;
  why: string;
  assumptions: string[];
  drawbacks: string[];
}

const BASIS_WORDS: Record<BillingBasis, string> = {
  max: 'the largest daily count of online devices in the month',
  mean: 'the mean daily count of online devices in the month, rounded up',
  p95: 'the 95th percentile (nearest rank) of the daily counts of online devices in the month',
};

export function basisWords(b: BillingBasis): string {
  return BASIS_WORDS[b];
}

export function methods(table: PricingTable, basis: BillingBasis): Record<string, Method> {
  const assumed = table.plans.filter((p) => p.assumption).map((p) => `${p.name} ($${p.base_usd})`);
  return {
    revenue: {
      approach:
        `For every user and calendar month, billable devices = ${BASIS_WORDS[basis]} (days with no device count as 0; ` +
        'a device counts for the user who owned it that day, SPEC section 4). Each user-month goes on the cheapest ' +
        "plan that covers its billable devices (base price plus extra devices); revenue is that plan's price. " +
        'Months are summed by the fleet-size bucket of the billable devices (1-2, 3-9, 10-99, 100-999, 1000+) and by plan.',
      why:
        'Revenue by fleet size shows which customer segment pays the bills and how that changes; pricing as a data ' +
        'file and the basis as a setting make the figures easy to redo when a price is corrected.',
      assumptions: [
        `Plan table: ${table.name} (${table.file}).`,
        assumed.length
          ? `Base prices that are assumptions, not sourced facts: ${assumed.join(', ')}.`
          : 'No plan price in the table is marked as an assumption.',
        'A device is active (billable) on a day when it was online that day.',
        `The billing basis (${basis}) is applied to every month, also before August 2018 when the platform started billing on the monthly maximum.`,
        'Users pick the cheapest plan that covers the month, on price alone.',
      ],
      drawbacks: [
        'This is what the fleets would pay under the 2018 price list, not booked revenue: discounts, annual contracts, enterprise deals and unpaid invoices are not in the data.',
        'Real customers also choose a plan for features and support, so the cheapest-plan rule is a lower bound.',
        'A partial month (at either end of the data) has fewer days, so its maximum is lower; complete months are flagged in revenue_kpis.csv.',
      ],
    },
    projection: {
      approach:
        `Revenue per average online device = revenue of the last ${RATIO_MONTHS} complete months / their mean daily ` +
        'online devices (daily_online.csv total). Each calendar month the forecast covers completely is projected as ' +
        "that ratio times the month's mean daily forecast (yhat), and its range as the ratio times the mean of the " +
        "forecast's lo/hi bounds (days already observed use the actual count).",
      why:
        'The forecast step already models where the online-device count is heading, with its uncertainty; ' +
        'scaling it by a recent, directly measured revenue per device keeps the projection consistent with both.',
      assumptions: [
        `The mix of fleet sizes stays as in the last ${RATIO_MONTHS} complete months: new devices split across users, buckets and plans in the same proportions, so revenue per online device stays constant.`,
        'Prices and the billing basis do not change over the horizon.',
      ],
      drawbacks: [
        "Revenue is a step function of each fleet's size (plan thresholds); a constant ratio smooths the steps, and a shift towards large fleets (cheaper per device) or many small free fleets moves revenue away from the projection.",
        "The monthly range uses the mean of the daily bounds, as if the forecast errors were fully correlated within a month: wider than the range of a monthly mean with independent daily errors, narrower than a range that also counts the ratio's own uncertainty.",
      ],
    },
    leads: {
      approach:
        'Per user, billable devices now = the billing basis over the last 30 days; 90 days ago = the same over the 30 days ' +
        'ending 90 days before as_of. Segments: upgrade (within the free tier 90 days ago, or not there yet, and at or over the free limit now); ' +
        `expansion (at least ${LEAD_RULES.expansionMinDevices} more devices and at least +${LEAD_RULES.expansionMinGrowth * 100}% over 90 days, or a new fleet of that size); ` +
        `upsell (a paid plan filled to ${LEAD_RULES.upsellFill * 100}% or more of its included devices, not over, not shrinking); ` +
        `churn_risk (at least ${LEAD_RULES.churnMinDevices} devices 90 days ago, lost ${LEAD_RULES.churnMinLoss * 100}% or more and at least ${LEAD_RULES.churnMinLostDevices}); ` +
        `returning (back online in the last 30 days after ${LEAD_RULES.returningMinGapDays}+ days with no device online). ` +
        'The score is the monthly revenue at stake in USD: upgrade = the price of the plan the fleet needs; expansion = the ' +
        'increase of the bill if the fleet grows as much again in the next 90 days; upsell = the increase at the next device ' +
        'past the plan; churn_risk = the bill 90 days ago; returning = the bill now. A user in several segments appears once, ' +
        'under the highest score, with the others listed.',
      why:
        'Sales and customer success call the accounts where the most money moves; a score in dollars ranks different kinds ' +
        'of leads on one scale and tells the caller what the call is worth.',
      assumptions: [
        'Fleet sizes use the same billing basis and the same plan table as the revenue figures.',
        'A trailing 30-day window smooths day-to-day noise; 90 days is long enough to show a trend and short enough to act on.',
      ],
      drawbacks: [
        'Usage only: no CRM data (contacts, contracts, support tickets, the plan actually bought), so a lead may already be a customer on the right plan.',
        'Thresholds are fixed rules of thumb, not fitted to outcomes; a fleet that grew by moving devices from another account of the same company looks like growth.',
        'With less than 120 days of data, "90 days ago" falls before the data and every fleet looks new.',
      ],
    },
    cohorts: {
      approach:
        'A device (user) belongs to the cohort of the month of its first online day in the data; retention k months later is ' +
        'the share of the cohort online (with a device online) on any day of that month. Only complete months count. ' +
        `Time to ${FLEET_TARGET}: days from a user's first online day to the first day with ${FLEET_TARGET} or more devices online ` +
        '(SPEC fleet size), as a Kaplan-Meier curve: users who have not reached it yet count as followed until as_of.',
      why:
        'Retention by cohort separates growth from churn (a rising total can hide leaking cohorts); the time to a ' +
        `${FLEET_TARGET}-device fleet is the time to the free limit, i.e. to the first bill.`,
      assumptions: [
        `Users first seen in the first ${LEFT_CENSOR_DAYS} days of the data may have started earlier: they are left out of the time-to-${FLEET_TARGET} figures.`,
        'A device or user seen again after a gap counts as retained in the month it is back.',
      ],
      drawbacks: [
        'The first cohort holds every device and user already active when the data starts (left-censoring), so its retention is not comparable with later cohorts.',
        'Device ids moved to another owner keep their cohort; user retention counts a user as retained while any one device is online.',
      ],
    },
    data: {
      approach:
        'Lost events per server from the repair counters of analyze (repairs_by_server.csv): rule 1 and rule 2 each stand for ' +
        'a lost offline event, rule 4 for a lost offline and a lost online event, an offline after an offline for a lost online ' +
        'event; per 100 sessions = per 100 online events on the server. Rule sensitivity: the clean view is re-run on the same ' +
        "export and as_of with rule 4 ending at the earlier of the server's destruction and the next event, and the daily " +
        "totals are compared with the literal rule's.",
      why:
        'Servers that lose many events point at infrastructure to fix; the rule comparison shows how much the headline ' +
        'metric depends on a repair rule that cannot be checked against ground truth.',
      assumptions: [
        "Rule 4's lost online event on the other server is charged to the server the device was on (as analyze counts it).",
        'The export at the path in quality.json is the one analyze read (checked by row count and first event).',
      ],
      drawbacks: [
        'The counts are the repairs that fired, an estimate of losses: a lost pair of events (offline then online on the same server) leaves no trace.',
        'The sensitivity re-run reads the whole export again (as long as analyze takes).',
      ],
    },
  };
}

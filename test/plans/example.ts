// A complete, valid plans folder: every charge model, every aggregation, shared metrics, customers.
import { yaml } from './folder.js'

export const examplePlans = {
  'pro.yaml': yaml`
    code: pro
    name: Pro
    currency: USD
    interval: monthly
    fixed_fee: "99.00"
    minimum_commitment: "1000"
    metrics:
      api_calls: { aggregation: count }
      tokens:    { aggregation: sum, property: tokens, code: api_calls }
      seats:     { aggregation: unique_count, property: user_id }
      peak:      { aggregation: max, property: conns }
      tier:      { aggregation: latest, property: tier }
      storage:   { aggregation: weighted_sum, property: gb, recurring: true }
    charges:
      - { metric: seats, model: standard, unit_price: "12" }
      - metric: api_calls
        model: graduated
        tiers:
          - { up_to: 1000, unit_price: "0", flat_fee: "0" }
          - { up_to: 10000, unit_price: "0.01" }
          - { unit_price: "0.005" }
      - metric: tokens
        model: volume
        tiers: [ { up_to: 100000, unit_price: "0.001", flat_fee: "10" }, { unit_price: "0.0005", flat_fee: "10" } ]
        filters: { model: [gpt-4o] }
        group_by: [region]
      - { metric: storage, model: package, package_size: 100, package_price: "5", free_units: 100 }
      - { metric: tokens, model: percentage, rate: "1.2", fixed_fee: "0.10" }
      - metric: tokens
        model: graduated_percentage
        tiers: [ { up_to: 1000, rate: "1", flat_fee: "200" }, { rate: "2", flat_fee: "300" } ]
  `,
  'starter.yml': yaml`
    code: starter
    currency: EUR
    interval: yearly
    charges:
      - { metric: events, model: standard, unit_price: "0.000001" }
      - { metric: seats, model: percentage, rate: "0.5", free_units: "0.5", free_events: 10 }
  `,
  'metrics.yaml': yaml`
    events: { aggregation: count, code: event }
    # pro defines its own seats, which wins there
    seats: { aggregation: max, property: seats }
  `,
  'customers.yaml': yaml`
    acme: { plan: pro, tax_rate: "0.20", name: Acme Inc. }
    "42": { plan: starter }
  `,
}

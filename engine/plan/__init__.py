"""The plan: from ranked recommendations to owned approaches, dated by the business and the calendar."""

"""Strategy discussions and Section 47 enquiries: built by the strategy-to-booking issue."""

"""The supervisor dashboard's API: one set of routes (`dashboard.api`) over one service
(`dashboard.service`), with a backend per place the calls are kept (DynamoDB on AWS in
`qa_aws.dashboard_backend`, SQLite on a laptop in `autoqa.dashboard_store`)."""

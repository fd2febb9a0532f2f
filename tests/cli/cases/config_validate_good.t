cmd: flag-gems-exp config validate $FIXTURES/config_good.json --format table
---
${FIXTURES}/config_good.json: valid

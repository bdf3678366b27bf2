"""One pydantic model per `llm-platform:` key of `Pulumi.<stack>.yaml`, grouped by what the keys configure.

Field names are snake_case in Python and camelCase in the stack file (the alias), which is how errors name
them. Each default is the safe production choice and is documented beside its field; dev stacks opt out
explicitly. Checks that span several keys live in config/rules/ so that they can name every key involved.
"""

// GET /admin/v1/usage parameters -> SQL from fixed fragments, values as $n parameters.
#include "worker/admin/usage_query.h"

#include <gtest/gtest.h>

namespace llmproxy::worker::admin {
namespace {

UsageQueryBuild build(const QueryParams& p) { return buildUsageQuery(p); }

TEST(UsageQuery, NoParametersIsOneTotalsRow) {
  const auto b = build({});
  ASSERT_TRUE(b.query);
  EXPECT_TRUE(b.query->params.empty());
  EXPECT_EQ(b.query->sql.find("usage_log WHERE"), std::string::npos);
  EXPECT_EQ(b.query->sql.find("GROUP BY"), std::string::npos);
  EXPECT_TRUE(b.query->group_columns.empty());
}

TEST(UsageQuery, FiltersAreParameters) {
  const auto b = build({{"credential", "12"}, {"model", "m'; DROP TABLE x; --"},
                        {"provider", "p"}, {"since", "1700000000"},
                        {"until", "2026-01-02T03:04:05.5+01:00"}});
  ASSERT_TRUE(b.query);
  const UsageQuery& q = *b.query;
  ASSERT_EQ(q.params.size(), 5u);
  EXPECT_EQ(*q.params[0], "12");
  EXPECT_EQ(*q.params[1], "m'; DROP TABLE x; --");
  EXPECT_EQ(*q.params[2], "p");
  EXPECT_EQ(*q.params[3], "1700000000000000");
  EXPECT_EQ(*q.params[4], std::to_string((1767323045LL - 3600) * 1000000 + 500000));
  EXPECT_NE(q.sql.find("credential_id = $1::integer"), std::string::npos) << q.sql;
  EXPECT_NE(q.sql.find("model = $2"), std::string::npos);
  EXPECT_EQ(q.sql.find("DROP"), std::string::npos);  // values never enter the text
}

TEST(UsageQuery, CredentialNameWhenNotNumeric) {
  const auto b = build({{"credential", "Production Key"}});
  ASSERT_TRUE(b.query);
  EXPECT_NE(b.query->sql.find("credential_name = $1"), std::string::npos);
}

TEST(UsageQuery, EmptyValuesAreAbsent) {
  const auto b = build({{"credential", ""}, {"model", ""}, {"since", ""}, {"group_by", ""}});
  ASSERT_TRUE(b.query);
  EXPECT_TRUE(b.query->params.empty());
}

TEST(UsageQuery, GroupByWhitelist) {
  const auto b = build({{"group_by", "model, credential,day"}});
  ASSERT_TRUE(b.query);
  const UsageQuery& q = *b.query;
  EXPECT_EQ(q.group_by, (std::vector<std::string_view>{"model", "credential", "day"}));
  EXPECT_EQ(q.group_columns,
            (std::vector<std::string_view>{"model", "credential_id", "credential_name", "day"}));
  EXPECT_NE(q.sql.find("GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4"), std::string::npos) << q.sql;
}

TEST(UsageQuery, BadParametersNameThemselves) {
  struct Case {
    QueryParams params;
    std::string param;
  };
  const Case cases[] = {
      {{{"group_by", "model;drop"}}, "group_by"},
      {{{"group_by", "model,model"}}, "group_by"},
      {{{"group_by", "model,"}}, "group_by"},
      {{{"since", "yesterday"}}, "since"},
      {{{"until", "2026-13-01T00:00:00Z"}}, "until"},
      {{{"until", "2026-02-30"}}, "until"},
      {{{"since", "2026-01-01T00:00:00"}}, "since"},  // no zone
      {{{"modle", "m"}}, "modle"},
      {{{"model", "a"}, {"model", "b"}}, "model"},
  };
  for (const Case& c : cases) {
    const auto b = build(c.params);
    EXPECT_FALSE(b.query) << c.param;
    EXPECT_EQ(b.error.param, c.param);
    EXPECT_FALSE(b.error.message.empty());
  }
}

TEST(UsageQuery, Timestamps) {
  EXPECT_EQ(parseTimestampUs("0"), 0);
  EXPECT_EQ(parseTimestampUs("1700000000.25"), 1700000000250000);
  EXPECT_EQ(parseTimestampUs("1970-01-02"), 86400LL * 1000000);
  EXPECT_EQ(parseTimestampUs("1970-01-01T00:00:01Z"), 1000000);
  EXPECT_EQ(parseTimestampUs("1970-01-01t01:00:00-01:30"), (3600 + 5400) * 1000000LL);
  EXPECT_EQ(parseTimestampUs("2024-02-29 00:00:00.000001z"), 1709164800000001LL);
  EXPECT_FALSE(parseTimestampUs(""));
  EXPECT_FALSE(parseTimestampUs("1.2.3"));
  EXPECT_FALSE(parseTimestampUs("2023-02-29"));
  EXPECT_FALSE(parseTimestampUs("2024-01-01T25:00:00Z"));
  EXPECT_FALSE(parseTimestampUs("2024-01-01T00:00:00Zjunk"));
}

}  // namespace
}  // namespace llmproxy::worker::admin

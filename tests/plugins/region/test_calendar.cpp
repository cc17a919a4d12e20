// Calendar arithmetic behind the legal periods: days, months with the
// end-of-month rule, and business days that skip weekends and holidays.
#include <gtest/gtest.h>

#include <vector>

#include "helpers.hpp"

namespace rp = presend::region;
using region_test::at;

namespace {

int64_t day(const char *d) { return rp::parse_day(d).value(); }

TEST(RegionCalendar, DaysRoundTrip) {
    EXPECT_EQ(rp::parse_day("1970-01-01"), 0);
    EXPECT_EQ(rp::parse_day("1970-01-02"), 1);
    EXPECT_EQ(rp::parse_day("1969-12-31"), -1);
    EXPECT_EQ(rp::format_day(day("2024-02-29")), "2024-02-29");
    EXPECT_EQ(rp::format_day(day("0001-01-01")), "0001-01-01");
    EXPECT_EQ(rp::format_day(day("9999-12-31")), "9999-12-31");
}

TEST(RegionCalendar, ParseRejectsWhatIsNotADate) {
    for (const char *bad : {"2023-02-29", "2026-13-01", "2026-00-10", "2026-01-32", "0000-01-01", "2026-1-01",
                            "2026/01/01", "", "2026-01-01T00", " 2026-01-0", "abcd-ef-gh"}) {
        EXPECT_FALSE(rp::parse_day(bad).has_value()) << bad;
    }
}

TEST(RegionCalendar, DayOfFloorsAndClamps) {
    EXPECT_EQ(rp::day_of(0), 0);
    EXPECT_EQ(rp::day_of(86'399'999), 0);
    EXPECT_EQ(rp::day_of(86'400'000), 1);
    EXPECT_EQ(rp::day_of(-1), -1);  // 1969-12-31T23:59:59.999
    EXPECT_EQ(rp::day_of(at("2026-03-02", 0)), day("2026-03-02"));
    EXPECT_EQ(rp::day_of(at("2026-03-02", 0) - 1), day("2026-03-01"));
    EXPECT_EQ(rp::format_day(rp::day_of(INT64_MAX)), "9999-12-31");
    EXPECT_EQ(rp::format_day(rp::day_of(INT64_MIN)), "0001-01-01");
}

struct MonthCase {
    const char *from;
    int32_t months;
    const char *to;
};

TEST(RegionCalendar, AddMonthsKeepsTheDayOrTakesTheMonthsLast) {
    const MonthCase cases[] = {
        {"2025-01-10", 6, "2025-07-10"},  {"2024-03-15", 24, "2026-03-15"}, {"2025-08-31", 6, "2026-02-28"},
        {"2023-08-31", 6, "2024-02-29"},  {"2024-02-29", 12, "2025-02-28"}, {"2024-02-29", 48, "2028-02-29"},
        {"2025-03-31", 1, "2025-04-30"},  {"2025-12-31", 2, "2026-02-28"},  {"2025-10-15", 3, "2026-01-15"},
        {"2025-01-10", 0, "2025-01-10"},  {"9999-06-15", 24, "9999-12-31"},
    };
    for (const auto &c : cases) {
        EXPECT_EQ(rp::format_day(rp::add_months(day(c.from), c.months)), c.to) << c.from << " + " << c.months;
    }
}

TEST(RegionCalendar, WeekendsAndHolidaysAreNotBusinessDays) {
    const std::vector<int64_t> none;
    EXPECT_TRUE(rp::is_business_day(day("2026-03-02"), none));   // Monday
    EXPECT_TRUE(rp::is_business_day(day("2026-03-06"), none));   // Friday
    EXPECT_FALSE(rp::is_business_day(day("2026-03-07"), none));  // Saturday
    EXPECT_FALSE(rp::is_business_day(day("2026-03-08"), none));  // Sunday
    EXPECT_FALSE(rp::is_business_day(day("1970-01-03"), none));  // Saturday
    const std::vector<int64_t> holidays{day("2026-05-25"), day("2026-07-03")};
    EXPECT_FALSE(rp::is_business_day(day("2026-05-25"), holidays));
    EXPECT_TRUE(rp::is_business_day(day("2026-05-26"), holidays));
}

struct BusinessCase {
    const char *from;
    int32_t n;
    const char *last;
};

TEST(RegionCalendar, NthBusinessDayAfterSkipsWeekends) {
    const std::vector<int64_t> none;
    const BusinessCase cases[] = {
        {"2026-03-02", 10, "2026-03-16"},  // Monday: two weekends
        {"2026-03-06", 10, "2026-03-20"},  // Friday
        {"2026-03-07", 10, "2026-03-20"},  // Saturday: counts from Monday
        {"2026-03-08", 10, "2026-03-20"},  // Sunday
        {"2026-03-02", 5, "2026-03-09"},
        {"2026-03-06", 1, "2026-03-09"},
        {"2026-03-07", 0, "2026-03-07"},
        {"2025-12-29", 10, "2026-01-12"},  // over the new year
    };
    for (const auto &c : cases) {
        EXPECT_EQ(rp::format_day(rp::nth_business_day_after(day(c.from), c.n, none)), c.last) << c.from << " + " << c.n;
    }
}

TEST(RegionCalendar, NthBusinessDayAfterSkipsHolidays) {
    const std::vector<int64_t> holidays{day("2026-03-09"), day("2026-03-13")};
    EXPECT_EQ(rp::format_day(rp::nth_business_day_after(day("2026-03-06"), 10, holidays)), "2026-03-24");
    EXPECT_EQ(rp::format_day(rp::nth_business_day_after(day("2026-03-06"), 1, holidays)), "2026-03-10");
}

}  // namespace

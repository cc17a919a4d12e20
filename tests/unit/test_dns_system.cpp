// The system resolver against a real UDP DNS server on loopback, started by
// the test: every outcome a refresh must tell apart.
#include <arpa/inet.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "dns_system.hpp"

namespace presend {
namespace {

using ::testing::ElementsAre;

// A small authoritative server: answers from a fixed table, drops queries
// for "slow.test" (a timeout) and refuses "refused.test".
class FakeDns {
public:
    FakeDns() {
        fd_ = socket(AF_INET, SOCK_DGRAM, 0);
        sockaddr_in sin{};
        sin.sin_family = AF_INET;
        sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        bind(fd_, reinterpret_cast<sockaddr *>(&sin), sizeof sin);
        socklen_t len = sizeof sin;
        getsockname(fd_, reinterpret_cast<sockaddr *>(&sin), &len);
        port_ = ntohs(sin.sin_port);
        thread_ = std::thread([this] { serve(); });
    }
    ~FakeDns() {
        stop_ = true;
        thread_.join();
        close(fd_);
    }
    uint16_t port() const { return port_; }

private:
    static void name(std::vector<uint8_t> &out, const std::string &dotted) {
        size_t start = 0;
        while (start < dotted.size()) {
            size_t dot = dotted.find('.', start);
            if (dot == std::string::npos) dot = dotted.size();
            out.push_back(static_cast<uint8_t>(dot - start));
            out.insert(out.end(), dotted.begin() + static_cast<long>(start), dotted.begin() + static_cast<long>(dot));
            start = dot + 1;
        }
        out.push_back(0);
    }
    static void u16(std::vector<uint8_t> &out, uint16_t v) {
        out.push_back(static_cast<uint8_t>(v >> 8));
        out.push_back(static_cast<uint8_t>(v));
    }
    static void u32(std::vector<uint8_t> &out, uint32_t v) {
        u16(out, static_cast<uint16_t>(v >> 16));
        u16(out, static_cast<uint16_t>(v));
    }
    static void rr(std::vector<uint8_t> &out, const std::string &owner, uint16_t type, uint32_t ttl,
                   const std::vector<uint8_t> &rdata) {
        name(out, owner);
        u16(out, type);
        u16(out, 1);
        u32(out, ttl);
        u16(out, static_cast<uint16_t>(rdata.size()));
        out.insert(out.end(), rdata.begin(), rdata.end());
    }
    static std::vector<uint8_t> soa() {
        std::vector<uint8_t> d;
        name(d, "ns.test");
        name(d, "admin.test");
        for (uint32_t v : {1u, 3600u, 600u, 86400u, 120u}) u32(d, v);  // minimum 120
        return d;
    }

    void serve() {
        while (!stop_) {
            pollfd p{fd_, POLLIN, 0};
            if (poll(&p, 1, 50) <= 0) continue;
            uint8_t q[512];
            sockaddr_in from{};
            socklen_t flen = sizeof from;
            ssize_t n = recvfrom(fd_, q, sizeof q, 0, reinterpret_cast<sockaddr *>(&from), &flen);
            if (n < 12) continue;
            // The question: name labels, then type and class.
            std::string qname;
            size_t pos = 12;
            while (pos < static_cast<size_t>(n) && q[pos] != 0) {
                size_t l = q[pos++];
                if (!qname.empty()) qname += '.';
                qname.append(reinterpret_cast<const char *>(q + pos), l);
                pos += l;
            }
            pos += 1;
            uint16_t qtype = static_cast<uint16_t>(q[pos] << 8 | q[pos + 1]);
            size_t qend = pos + 4;
            if (qname == "slow.test") continue;  // never answered
            std::vector<uint8_t> r(q, q + qend);
            r[2] = 0x84;  // response, authoritative
            r[3] = 0x00;
            auto set_counts = [&](uint16_t an, uint16_t ns) {
                r[6] = static_cast<uint8_t>(an >> 8), r[7] = static_cast<uint8_t>(an);
                r[8] = static_cast<uint8_t>(ns >> 8), r[9] = static_cast<uint8_t>(ns);
                r[10] = r[11] = 0;
            };
            set_counts(0, 0);
            if (qname == "refused.test") {
                r[3] = 5;  // REFUSED
            } else if (qname == "broken.test") {
                r[3] = 2;  // SERVFAIL
            } else if (qname == "host.test" && qtype == 1) {
                set_counts(1, 0);
                rr(r, qname, 1, 600, {192, 0, 2, 10});
            } else if (qname == "host.test" && qtype == 16) {
                set_counts(2, 0);
                std::vector<uint8_t> fixed = {7, 'v', '=', 's', 'p', 'f', '1', ' ', 4, '-', 'a', 'l', 'l'};
                rr(r, qname, 16, 300, fixed);
                std::vector<uint8_t> other = {5, 'h', 'e', 'l', 'l', 'o'};
                rr(r, qname, 16, 900, other);
            } else if (qname == "host.test" && qtype == 15) {
                set_counts(1, 0);
                std::vector<uint8_t> mx = {0, 10};
                name(mx, "MX.host.test");
                rr(r, qname, 15, 300, mx);
            } else if (qname == "alias.test" && qtype == 16) {
                set_counts(2, 0);
                std::vector<uint8_t> target;
                name(target, "host.test");
                rr(r, qname, 5, 300, target);
                std::vector<uint8_t> txt = {3, 'y', 'e', 's'};
                rr(r, "host.test", 16, 300, txt);
            } else if (qname == "host.test") {
                set_counts(0, 1);  // NODATA with the SOA
                rr(r, "test", 6, 3600, soa());
            } else {
                r[3] = 3;  // NXDOMAIN with the SOA
                set_counts(0, 1);
                rr(r, "test", 6, 60, soa());
            }
            sendto(fd_, r.data(), r.size(), 0, reinterpret_cast<sockaddr *>(&from), flen);
        }
    }

    int fd_ = -1;
    uint16_t port_ = 0;
    std::atomic<bool> stop_{false};
    std::thread thread_;
};

class DnsSystem : public ::testing::Test {
protected:
    SystemResolver resolver() {
        SystemResolverOptions o;
        o.timeout_ms = 1000;
        o.attempts = 1;
        o.nameservers.push_back(Nameserver{"127.0.0.1", server_.port()});
        return SystemResolver(o);
    }
    FakeDns server_;
};

TEST_F(DnsSystem, RecordsAndTheirTtl) {
    auto r = resolver();
    auto a = r.query("HOST.test.", RRType::A);
    ASSERT_EQ(a.status, DnsStatus::ok) << a.detail;
    EXPECT_THAT(a.records, ElementsAre("192.0.2.10"));
    EXPECT_EQ(a.ttl, 600u);
    auto txt = r.query("host.test", RRType::TXT);
    ASSERT_EQ(txt.status, DnsStatus::ok);
    EXPECT_THAT(txt.records, ElementsAre("v=spf1 -all", "hello")) << "character-strings are joined without spaces";
    EXPECT_EQ(txt.ttl, 300u) << "the smallest TTL of the answer";
    auto mx = r.query("host.test", RRType::MX);
    ASSERT_EQ(mx.mx.size(), 1u);
    EXPECT_EQ(mx.mx[0].preference, 10);
    EXPECT_EQ(mx.mx[0].exchange, "mx.host.test");
}

TEST_F(DnsSystem, CnamesAreReported) {
    auto a = resolver().query("alias.test", RRType::TXT);
    ASSERT_EQ(a.status, DnsStatus::ok);
    EXPECT_THAT(a.records, ElementsAre("yes"));
    EXPECT_THAT(a.cnames, ElementsAre("host.test"));
}

TEST_F(DnsSystem, NegativeAnswersCarryTheSoaMinimum) {
    auto r = resolver();
    auto nx = r.query("nowhere.test", RRType::TXT);
    EXPECT_EQ(nx.status, DnsStatus::nxdomain);
    EXPECT_EQ(nx.ttl, 60u) << "min(SOA TTL 60, minimum 120)";
    auto nodata = r.query("host.test", RRType::AAAA);
    EXPECT_EQ(nodata.status, DnsStatus::nodata);
    EXPECT_EQ(nodata.ttl, 120u) << "min(SOA TTL 3600, minimum 120)";
}

TEST_F(DnsSystem, FailuresAreNotAnswers) {
    auto r = resolver();
    auto sf = r.query("broken.test", RRType::TXT);
    EXPECT_EQ(sf.status, DnsStatus::servfail);
    EXPECT_TRUE(sf.failed());
    EXPECT_EQ(r.query("refused.test", RRType::TXT).status, DnsStatus::servfail);
    auto slow = r.query("slow.test", RRType::TXT);
    EXPECT_EQ(slow.status, DnsStatus::timeout) << slow.detail;
    EXPECT_TRUE(slow.failed());
}

}  // namespace
}  // namespace presend

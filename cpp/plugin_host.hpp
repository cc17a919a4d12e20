// Loading plugins (presend_plugin.h) and running them as checks of the
// pipeline, with the same findings, modes and failure rules as built-ins.
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "checks.hpp"
#include "config.hpp"

struct presend_plugin;

namespace presend {

class LoadedPlugin {
public:
    // Loads presend_<name>.so from the first directory that has it, with
    // RTLD_NOW | RTLD_LOCAL, negotiates the ABI and runs init. Throws
    // Failure(Status::plugin) with a clear message on any failure.
    static std::unique_ptr<LoadedPlugin> load(const PluginConfig &config, const std::vector<std::string> &dirs);
    ~LoadedPlugin();
    LoadedPlugin(const LoadedPlugin &) = delete;
    LoadedPlugin &operator=(const LoadedPlugin &) = delete;

    const std::string &name() const noexcept { return name_; }
    const std::string &prefix() const noexcept { return prefix_; }  // of its reason codes
    const std::string &version() const noexcept { return version_; }
    const std::string &path() const noexcept { return path_; }
    Mode mode() const noexcept { return mode_; }
    // The reasons the plugin declared (interned).
    const std::vector<const ReasonDef *> &reasons() const noexcept { return reasons_; }

    // Runs the plugin's check; adds its findings to the context, or
    // engine.plugin_failed when it fails or misbehaves.
    void check(CheckContext &ctx, bool fail_open, int64_t retry_ms) const;

private:
    LoadedPlugin() = default;

    void *handle_ = nullptr;
    const presend_plugin *table_ = nullptr;
    void *state_ = nullptr;
    bool initialized_ = false;
    bool serialize_ = true;
    mutable std::mutex mu_;  // held around check when the plugin is not thread-safe
    std::string name_, version_, path_, prefix_;
    Mode mode_ = Mode::enforce;
    std::vector<const ReasonDef *> reasons_;
};

// A plugin as one check of the pipeline.
class PluginCheck final : public Check {
public:
    PluginCheck(std::shared_ptr<LoadedPlugin> plugin, const Config &config)
        : plugin_(std::move(plugin)), fail_open_(config.fail_open), retry_ms_(config.unavailable_retry_ms) {}
    std::string_view name() const noexcept override { return plugin_->name(); }
    Mode mode(const Config &) const noexcept override { return plugin_->mode(); }
    void run(CheckContext &ctx) const override { plugin_->check(ctx, fail_open_, retry_ms_); }

private:
    std::shared_ptr<LoadedPlugin> plugin_;
    bool fail_open_;
    int64_t retry_ms_;
};

}  // namespace presend

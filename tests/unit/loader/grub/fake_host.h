// An in-memory Host for the grub.cfg interpreter tests: files per device,
// filesystem UUIDs and labels, and everything printed.
#pragma once

#include <cstring>
#include <map>
#include <string>
#include <vector>

#include "loader/grub/host.h"

namespace xb::loader::grub::test {

class FakeHost final : public Host {
  public:
    struct Device {
        std::string name, uuid, label;
        std::map<std::string, std::string> files;  // path -> contents
    };
    std::vector<Device> devices;  // in GRUB's search order
    std::vector<std::string> printed;
    int interrupt_after = -1;  // interrupted() turns true after this many calls

    Device& dev(const std::string& name) {
        for (auto& d : devices)
            if (d.name == name) return d;
        devices.push_back(Device{name, "", "", {}});
        return devices.back();
    }
    void add(const std::string& device, const std::string& path, const std::string& text) {
        dev(device).files[path] = text;
    }
    const Device* find(std::string_view name) const {
        for (auto& d : devices)
            if (d.name == name) return &d;
        return nullptr;
    }
    std::string output() const {
        std::string s;
        for (auto& l : printed) s += l + "\n";
        return s;
    }

    Result<std::uint64_t> read_file(std::string_view dev, std::string_view path, std::span<char> out) override {
        const Device* d = find(dev);
        if (d == nullptr) return Error::make(Errc::not_found, "no device %.*s", int(dev.size()), dev.data());
        auto it = d->files.find(std::string(path));
        if (it == d->files.end()) return Error::make(Errc::not_found, "no file");
        if (it->second.size() > out.size()) return Error::make(Errc::no_space, "too big");
        std::memcpy(out.data(), it->second.data(), it->second.size());
        return std::uint64_t(it->second.size());
    }
    Result<FileInfo> stat(std::string_view dev, std::string_view path) override {
        const Device* d = find(dev);
        if (d == nullptr) return Error::make(Errc::not_found, "no device");
        std::string p(path);
        while (p.size() > 1 && p.back() == '/') p.pop_back();
        auto it = d->files.find(p);
        if (it != d->files.end()) return FileInfo{true, false, it->second.size()};
        const std::string prefix = p == "/" ? "/" : p + "/";
        for (auto& [k, v] : d->files)
            if (k.compare(0, prefix.size(), prefix) == 0) return FileInfo{true, true, 0};
        return FileInfo{false, false, 0};
    }
    Status list_dir(std::string_view dev, std::string_view path, bool (*visit)(void*, std::string_view),
                    void* ctx) override {
        const Device* d = find(dev);
        if (d == nullptr) return Error::make(Errc::not_found, "no device");
        const std::string prefix = std::string(path) + "/";
        bool any = false;
        for (auto& [k, v] : d->files) {
            if (k.compare(0, prefix.size(), prefix) != 0) continue;
            const std::string rest = k.substr(prefix.size());
            if (rest.find('/') != std::string::npos) continue;
            any = true;
            if (!visit(ctx, rest)) break;
        }
        if (!any) return Error::make(Errc::not_found, "no directory");
        return ok();
    }
    Result<std::size_t> search(SearchKind kind, std::string_view key, std::span<char> out) override {
        for (auto& d : devices) {
            bool match = false;
            if (kind == SearchKind::fs_uuid) match = !d.uuid.empty() && d.uuid == key;
            if (kind == SearchKind::label) match = !d.label.empty() && d.label == key;
            if (kind == SearchKind::file) match = d.files.count(std::string(key)) != 0;
            if (!match) continue;
            if (d.name.size() > out.size()) return Error::make(Errc::no_space, "name");
            std::memcpy(out.data(), d.name.data(), d.name.size());
            return d.name.size();
        }
        return Error::make(Errc::not_found, "none");
    }
    void print(std::string_view line) override { printed.emplace_back(line); }
    bool interrupted() override { return interrupt_after >= 0 && interrupt_after-- == 0; }
};

}  // namespace xb::loader::grub::test

#include "bootflow/extlinux_method.h"

#include <new>

#include "arch/arch.h"
#include "bootflow/boot_kernel.h"
#include "bootflow/method_files.h"
#include "bootflow/services.h"
#include "loader/extlinux.h"
#include "shell/parse.h"

namespace xb::cmd {
namespace {

struct HeapConfig {
    loader::ExtlinuxConfig* conf = new (std::nothrow) loader::ExtlinuxConfig;
    HeapConfig() = default;
    HeapConfig(const HeapConfig&) = delete;
    HeapConfig& operator=(const HeapConfig&) = delete;
    ~HeapConfig() { delete conf; }
};

Status parse(const char* conf_path, const char* text, HeapConfig& h) {
    if (h.conf == nullptr) return Error::make(Errc::no_memory, "no memory to parse %s", conf_path);
    TRY_CTX(loader::parse_extlinux(text, *h.conf), "%s", conf_path);
    return ok();
}

// Files on the filesystem that holds the conf file (U-Boot's sysboot).
class FsFiles final : public ExtlinuxFiles {
  public:
    FsFiles(fs::Filesystem& fs, const char* conf_path) : fs_(fs), conf_path_(conf_path) {}
    Status resolve(std::string_view path, std::string_view leaf, std::span<char> out) override {
        return loader::resolve_extlinux_path(conf_path_, path, leaf, out);
    }
    Result<std::uint64_t> load(Context& ctx, const char* what, const char* path, const char* addr_var,
                               const char* limit_var) override {
        return load_to(ctx, fs_, what, path, addr_var, limit_var);
    }

  private:
    fs::Filesystem& fs_;
    const char* conf_path_;
};

void record_labels(const loader::ExtlinuxConfig& conf, unsigned chosen, Bootflow& flow) {
    flow.entry_count = 0;
    for (unsigned i = 0; i < conf.label_count; ++i) {
        const loader::ExtlinuxLabel& l = conf.labels[i];
        flow.add_entry("%u: %s", i + 1, l.menu_label[0] != '\0' ? l.menu_label : l.name);
    }
    flow.default_entry = static_cast<int>(chosen);
}

Status boot_label(Context& ctx, ExtlinuxFiles& files, const loader::ExtlinuxLabel& label) {
    if (label.localboot) return Error::make(Errc::unsupported, "label '%s' is localboot (not supported)", label.name);
    if (label.kernel[0] == '\0')
        return Error::make(Errc::invalid_argument, "label '%s' (line %u) has no kernel", label.name, label.line);
    char path[loader::ExtlinuxLabel::kPathSize + 64];
    BootRequest req;
    TRY(files.resolve(label.kernel, "", path));
    TRY(files.load(ctx, "kernel", path, "kernel_addr_r", "ramdisk_addr_r"));
    req.kernel_addr = TRY(env_hex(ctx.env, "kernel_addr_r"));
    if (label.initrd[0] != '\0') {
        TRY(files.resolve(label.initrd, "", path));
        const std::uint64_t size = TRY(files.load(ctx, "initrd", path, "ramdisk_addr_r", "fdt_addr_r"));
        req.initrd = Range{TRY(env_hex(ctx.env, "ramdisk_addr_r")), size};
    }
    if (label.fdt[0] != '\0' || label.fdtdir[0] != '\0') {
        std::optional<std::string_view> fdtfile = ctx.env->get("fdtfile");
        if (label.fdt[0] != '\0') {
            TRY(files.resolve(label.fdt, "", path));
        } else if (fdtfile) {
            char leaf[128];
            format_to(leaf, sizeof leaf, "%.*s", static_cast<int>(fdtfile->size()), fdtfile->data());
            TRY(files.resolve(label.fdtdir, leaf, path));
        } else {
            path[0] = '\0';
            ctx.con.printf("fdtdir %s ignored: $fdtfile is not set; using the device tree from Xen\n", label.fdtdir);
        }
        if (path[0] != '\0') {
            TRY(files.load(ctx, "fdt", path, "fdt_addr_r", "scriptaddr"));
            req.fdt_addr = TRY(env_hex(ctx.env, "fdt_addr_r"));
        }
    }
    if (label.append[0] != '\0') TRY(ctx.env->set("bootargs", label.append));
    return boot_kernel(ctx, req);
}

}  // namespace

Status list_extlinux_text(const char* name, const char* text, Bootflow& flow) {
    HeapConfig h;
    TRY(parse(name, text, h));
    record_labels(*h.conf, h.conf->default_index, flow);
    return ok();
}

Status list_extlinux(Context& ctx, fs::Filesystem& fs, const char* conf_path, Bootflow& flow) {
    (void)ctx;
    TextFile file;
    TRY(read_text(fs, conf_path, file));
    return list_extlinux_text(conf_path, file.text, flow);
}

Status boot_extlinux(Context& ctx, fs::Filesystem& fs, const char* conf_path, Bootflow& flow) {
    const std::uint64_t t0 = arch::counter();
    TextFile file;
    TRY(read_text(fs, conf_path, file));
    if (ctx.services != nullptr) ctx.services->times.config_us += arch::ticks_to_us(arch::counter() - t0);
    FsFiles files(fs, conf_path);
    return boot_extlinux_text(ctx, files, conf_path, file.text, flow);
}

Status boot_extlinux_text(Context& ctx, ExtlinuxFiles& files, const char* conf_path, const char* text, Bootflow& flow) {
    const std::uint64_t t0 = arch::counter();
    HeapConfig h;
    TRY(parse(conf_path, text, h));
    if (ctx.services != nullptr) ctx.services->times.config_us += arch::ticks_to_us(arch::counter() - t0);
    const loader::ExtlinuxConfig& conf = *h.conf;
    unsigned chosen = conf.default_index;
    std::optional<std::string_view> wanted = ctx.env->get("extlinux_label");
    if (wanted) {
        bool found = false;
        for (unsigned i = 0; i < conf.label_count && !found; ++i) {
            if (*wanted == conf.labels[i].name) {
                chosen = i;
                found = true;
            }
        }
        if (!found) {
            return Error::make(Errc::not_found, "no label '%.*s' ($extlinux_label)", static_cast<int>(wanted->size()),
                               wanted->data());
        }
    }
    record_labels(conf, chosen, flow);
    if (conf.title[0] != '\0') ctx.con.printf("%s\n", conf.title);
    for (unsigned i = 0; i < conf.label_count; ++i) {
        const loader::ExtlinuxLabel& l = conf.labels[i];
        ctx.con.printf("%u:\t%s%s\n", i + 1, l.menu_label[0] != '\0' ? l.menu_label : l.name,
                       i == chosen ? "  (boot)" : "");
    }
    if (!conf.default_found && conf.default_name[0] != '\0') {
        ctx.con.printf("default label '%s' not found; booting the first\n", conf.default_name);
    }
    // As U-Boot: when the default label fails, every other label is tried in
    // file order; a label the user named ($extlinux_label) is the only one tried.
    Status first = ok();
    for (unsigned k = 0; k < conf.label_count; ++k) {
        const unsigned i = k == 0 ? chosen : (k <= chosen ? k - 1 : k);
        const loader::ExtlinuxLabel& label = conf.labels[i];
        ctx.con.printf("Booting label '%s'\n", label.name);
        Status s = boot_label(ctx, files, label);
        if (s.ok() || ctx.stop) return ok();
        ctx.con.printf("label '%s': %s\n", label.name, s.error().message());
        if (first.ok()) {
            first = s;
            first.error().prefix("label '%s'", label.name);
        }
        if (wanted || s.error().code() == Errc::interrupted) break;
    }
    return first;
}

}  // namespace xb::cmd
